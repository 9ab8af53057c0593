"""A court's plug-in for lianbao: reversed judgments and liability for a wrongful judgment."""
