"""Calibration of scenarios to public figures: model measures, calibration files, the least-squares fit."""
