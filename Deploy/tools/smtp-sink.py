#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) that keeps every message it accepts, one file each, for the
demo and the tests: `smtp-sink.py --port 2525 --dir .local/mail`. A recipient at the domain
given by --reject-domain (default rejected.invalid) is refused with 550, as a relay refuses an
address it does not know. Prints "listening on 127.0.0.1:PORT" once it accepts connections."""
import argparse
import asyncio
import os
import signal
import time

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, folder, reject_domain):
        self.folder = folder
        self.reject_domain = reject_domain.lower()
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().endswith("@" + self.reject_domain):
            return "550 5.1.1 <%s>: recipient address rejected: no such mailbox" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = "%d-%06d-%d.eml" % (int(time.time() * 1000), self.count, os.getpid())
        temporary = os.path.join(self.folder, "." + name)
        with open(temporary, "wb") as out:
            out.write(("X-Envelope-To: %s\n" % ", ".join(envelope.rcpt_tos)).encode())
            data = envelope.original_content or envelope.content
            out.write(data if isinstance(data, bytes) else data.encode())
        os.rename(temporary, os.path.join(self.folder, name))
        return "250 2.0.0 kept as %s" % name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--reject-domain", default="rejected.invalid")
    parser.add_argument("--ready-file", help="written once it accepts connections")
    arguments = parser.parse_args()
    os.makedirs(arguments.dir, exist_ok=True)
    controller = Controller(Keep(arguments.dir, arguments.reject_domain), hostname="127.0.0.1", port=arguments.port)
    controller.start()
    if not arguments.ready_file:
        print("listening on 127.0.0.1:%d" % arguments.port, flush=True)
    else:
        with open(arguments.ready_file, "w") as ready:
            ready.write("%d\n" % os.getpid())
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
