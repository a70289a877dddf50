# An SMTP sink for the outbound mail tests (Debian's python3-aiosmtpd): every message
# accepted is written to DIR as NNNNNN.eml (the envelope recipients first, as an
# X-Envelope-To header); while DIR/refuse exists, every message is answered 451.
# Usage: /usr/bin/python3 sink.py DIR PORT   (prints "ready" when it listens)
import os
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if os.path.exists(os.path.join(self.folder, "refuse")):
            return "451 4.3.0 Try again later"
        self.count += 1
        name = os.path.join(self.folder, "%06d.eml" % self.count)
        head = "X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)
        with open(name + ".tmp", "wb") as f:
            f.write(head.encode() + envelope.original_content)
        os.rename(name + ".tmp", name)
        return "250 2.0.0 OK"


def main():
    folder, port = sys.argv[1], int(sys.argv[2])
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
