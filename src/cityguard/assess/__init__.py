"""Orchestration of one assessment: plan, fleet of targets, inputs (scans, answers,
waivers), outputs and stored-run reporting."""
