"""Pure statistics: response rates, survival and Phase II designs. No ADaM knowledge."""
