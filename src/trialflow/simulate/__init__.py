"""Simulated raw SDTM deliveries (`trialflow simulate`)."""
