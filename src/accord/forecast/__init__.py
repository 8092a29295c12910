"""Forecasting: spatial bargaining models per issue, the expected-utility and exchange models."""
