import sys

from lianbao.cli import main

sys.exit(main())
