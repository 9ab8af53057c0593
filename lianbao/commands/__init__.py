"""Sub-commands of ``lianbao``; each module exposes ``register(subparsers)``."""
