"""The Jupyter project's kernel test suite (jupyter_kernel_test) against the kit's kernel.

Run by test/runner/kernel-protocol.test.ts with /usr/bin/python3 and JUPYTER_PATH pointing at a
temporary kernelspec named by RNNKIT_KERNEL_NAME (the kit's launcher, as npm install registers it).
"""
import os
import unittest

import jupyter_kernel_test


class KitKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = os.environ["RNNKIT_KERNEL_NAME"]
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("a warning")'
    completion_samples = [{"text": "Math.ab", "matches": {"abs"}}]
    complete_code_samples = ["const a = 1;", "console.log(1)", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const a = [1,"]
    code_inspect_sample = "Math.abs"
    code_generate_error = 'throw new Error("from the kernel test suite")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "[1, 2, 3].length", "result": "3"},
    ]
    code_display_data = [
        {"code": 'import * as tslab from "tslab"; tslab.display.html("<b>bold</b>")', "mime": "text/html"},
        {"code": 'import * as tslab from "tslab"; tslab.display.text("plain")', "mime": "text/plain"},
    ]


if __name__ == "__main__":
    unittest.main(verbosity=2)
