"""A public-security bureau's plug-in for lianbao: the case clearance rate (破案率) criterion."""
