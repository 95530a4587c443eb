"""Messages with a wrong or missing signature, or malformed frames, are
dropped unanswered and logged; the kernel keeps answering good ones."""

import os
import queue
import tempfile
import time
import unittest

import zmq
from jupyter_client.manager import KernelManager

import dnbkernel

dnbkernel.install_kernel()

# How long "no reply" is waited for: a reply to kernel_info takes milliseconds.
SILENCE = 3


class SigningTests(unittest.TestCase):
    def setUp(self):
        self.log = tempfile.NamedTemporaryFile(prefix="dnb-kernel-stderr-", suffix=".txt", delete=False)
        self.km = KernelManager(kernel_name="dnb")
        self.km.start_kernel(stderr=self.log)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=30)

    def tearDown(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)
        self.log.close()
        os.unlink(self.log.name)

    def stderr(self):
        with open(self.log.name, encoding="utf-8") as file:
            return file.read()

    def test_wrong_key_gets_no_reply_and_right_key_does(self):
        right = self.km.session.key
        self.kc.session.key = b"not-the-connection-file-key"
        self.kc.kernel_info()
        with self.assertRaises(queue.Empty):
            self.kc.get_shell_msg(timeout=SILENCE)
        self.assertIn("missing or wrong HMAC signature", self.stderr())

        self.kc.session.key = right
        msg_id = self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=10)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["language_info"]["name"], "dnb")

    def test_unsigned_message_gets_no_reply(self):
        self.kc.session.key = b""
        self.kc.kernel_info()
        with self.assertRaises(queue.Empty):
            self.kc.get_shell_msg(timeout=SILENCE)

    def test_malformed_frames_do_not_crash_the_kernel(self):
        info = self.km.get_connection_info()
        context = zmq.Context.instance()
        raw = context.socket(zmq.DEALER)
        raw.linger = 5000  # close() waits for the frames to leave
        raw.connect(f"tcp://{info['ip']}:{info['shell_port']}")
        for frames in [
            [b"junk"],
            [b"<IDS|MSG>"],
            [b"<IDS|MSG>", b"", b"{", b"{}", b"{}", b"{}"],
            [b"<IDS|MSG>", b"", b"\xff\xfe", b"{}", b"{}", b"{}"],
            [b"<IDS|MSG>", b"deadbeef", b"{}", b"{}", b"{}", b"{}"],
        ]:
            raw.send_multipart(frames)
        # The raw socket's own connection: wait (bounded) until the kernel has read them all.
        for _ in range(100):
            if self.stderr().count("dnb kernel: dropped") >= 5:
                break
            time.sleep(0.1)
        raw.close()
        # A well-signed message of a type dnb does not know: ignored, logged.
        self.kc.shell_channel.send(self.kc.session.msg("no_such_request", {}))
        msg_id = self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=10)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertTrue(self.km.is_alive())
        log = self.stderr()
        self.assertIn("no <IDS|MSG> delimiter", log)
        self.assertIn("0 frame(s) after the delimiter, expected at least 5", log)
        self.assertIn("unknown type 'no_such_request'", log)


if __name__ == "__main__":
    unittest.main()
