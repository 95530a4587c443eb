"""Jupyter's own kernel test suite (jupyter_kernel_test) against dnb."""

import os
import shutil
import tempfile
import unittest

import jupyter_kernel_test
from jupyter_client.kernelspec import KernelSpecManager

import dnbkernel

dnbkernel.install_kernel()


class DnbKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "dnb"
    language_name = "dnb"
    file_extension = ".dnb"

    # `param` echoes what it set: dnb's one way to print a text of one's own.
    code_hello_world = 'param greeting="hello, world"'

    # Skipped: no dnb command writes to stderr. Warnings are lines of output
    # and errors reach Jupyter as `error` messages (test_error).
    code_stderr = ""

    completion_samples = [
        {"text": "fit ep", "matches": {"epochs="}},
        {"text": "sh", "matches": {"show"}},
        {"text": "show pre", "matches": {"predictions"}},
        {"text": "fit optimizer=a", "matches": {"adam"}},
    ]
    complete_code_samples = ["evaluate", "fit epochs=2", "build dense 8 relu, \\\n  dense 10 softmax"]
    incomplete_code_samples = ["fit \\", "build dense 8 relu, \\"]
    invalid_code_samples = ['load model "unterminated']

    # Skipped: dnb has no pager; `help` prints its text as output.
    code_page_something = ""

    code_generate_error = "fti epochs=1"

    # `evaluate`'s loss and accuracy are the cell's value (Out[n]), as Keras's
    # model.evaluate() is in a notebook. The setup below gives it a model.
    code_execute_result = [{"code": "evaluate", "mime": "text/plain"}]
    code_history_pattern = "eval*"
    supported_history_operations = ("tail", "range", "search")

    code_display_data = [
        {"code": "show weights", "mime": "image/png"},
        {"code": "set format=svg\nshow weights\nset format=png", "mime": "image/svg+xml"},
    ]

    code_inspect_sample = "fit"

    # Skipped: no dnb command clears its output.
    code_clear_output = ""

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="dnb-kernel-test-")
        cls.previous = os.getcwd()
        # The kernel starts in this folder: its plots/ go there.
        os.chdir(cls.folder)
        super().setUpClass()
        load = dnbkernel.write_tiny_idx(cls.folder)
        reply = cls.kc.execute_interactive(
            load + "\nnormalize\nbuild dense 8 relu, dense 10 softmax\nfit epochs=2", timeout=60, output_hook=lambda _: None
        )
        assert reply["content"]["status"] == "ok", reply["content"]

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        os.chdir(cls.previous)
        shutil.rmtree(cls.folder, ignore_errors=True)

    def test_error_traceback_points_at_the_line(self):
        self.flush_channels()
        reply, outputs = self.execute_helper("normalize\nfti epochs=1")
        self.assertEqual(reply["content"]["status"], "error")
        traceback = outputs[-1]["content"]["traceback"]
        self.assertRegex(traceback[0], r"^In\[\d+\]:2:1: error: unknown command 'fti' — did you mean 'fit'\?")

    def test_a_failed_cell_aborts_the_cells_queued_behind_it(self):
        # As JupyterLab's "Run All" sends them: all at once. The first cell
        # trains a few hundred steps, so the second is queued when it fails.
        self.flush_channels()
        first = self.kc.execute("fit epochs=300\nfti")
        second = self.kc.execute('param after="not run"')
        replies = {}
        for _ in range(2):
            reply = self.kc.get_shell_msg(timeout=60)
            replies[reply["parent_header"]["msg_id"]] = reply["content"]
        self.assertEqual(replies[first]["status"], "error")
        self.assertEqual(replies[second]["status"], "aborted")
        # Without stop_on_error, the next cell runs.
        self.flush_channels()
        first = self.kc.execute("fit epochs=300\nfti", stop_on_error=False)
        second = self.kc.execute('param after="run"')
        for _ in range(2):
            reply = self.kc.get_shell_msg(timeout=60)
            replies[reply["parent_header"]["msg_id"]] = reply["content"]
        self.assertEqual(replies[first]["status"], "error")
        self.assertEqual(replies[second]["status"], "ok")

    def test_kernelspec_is_listed(self):
        # What `jupyter kernelspec list` reads.
        specs = KernelSpecManager().find_kernel_specs()
        self.assertIn("dnb", specs)
        spec = KernelSpecManager().get_kernel_spec("dnb")
        self.assertEqual(spec.argv[1:], ["kernel", "-f", "{connection_file}"])
        self.assertEqual((spec.display_name, spec.language, spec.interrupt_mode), ("dnb", "dnb", "signal"))
        self.assertTrue(os.path.exists(os.path.join(specs["dnb"], "logo-svg.svg")))

    def test_kernel_info_mimetype(self):
        self.flush_channels()
        reply = self.kc.kernel_info(reply=True, timeout=10)
        info = reply["content"]["language_info"]
        self.assertEqual(info["mimetype"], "text/x-dnb")
        self.assertEqual(reply["content"]["protocol_version"], "5.3")


if __name__ == "__main__":
    unittest.main()
