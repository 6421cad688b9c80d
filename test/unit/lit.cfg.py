# -*- Python -*-
# Runs the GoogleTest binaries (test/unit/bin/*Tests) as lit tests.
import os

import lit.formats

config.name = "BNN-Unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.bnn_obj_root, "test", "unit")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest("bin", "Tests")
