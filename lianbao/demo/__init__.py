"""The main job: a deterministic sample city run for a year through the services."""
