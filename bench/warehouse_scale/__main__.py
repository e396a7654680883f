import sys

from bench.warehouse_scale.run import main

sys.exit(main())
