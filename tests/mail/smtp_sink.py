"""A real SMTP server for the mail tests (aiosmtpd): stores every message it accepts as one JSON file.

    smtp_sink.py --port PORT --dir DIR [--tls-cert PEM --tls-key PEM [--implicit-tls] [--require-starttls]]
                 [--auth USER:PASSWORD] [--reject PREFIX]

Each file DIR/<n>-<uuid>.json holds the envelope (mail_from, rcpt_tos), every header as sent (name, raw value),
the decoded subject, the plain-text and HTML parts and the raw message. Files appear whole (written, then
renamed). Recipients whose address starts with PREFIX are refused with 550. With --tls-cert the server offers
STARTTLS (required before MAIL with --require-starttls), or speaks TLS from the first byte with --implicit-tls.
With --auth it requires AUTH PLAIN/LOGIN with those credentials. It prints "ready PORT" once it listens.
"""

import argparse
import asyncio
import email
import email.policy
import itertools
import json
import os
import ssl
import sys
import uuid

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, folder, reject):
        self.folder = folder
        self.reject = reject
        self.seq = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and address.lower().startswith(self.reject):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        plain = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": bool(session.authenticated),
            "headers": [[k, v] for k, v in email.message_from_bytes(raw, policy=email.policy.compat32).items()],
            "subject": str(msg["subject"]),
            "text": plain.get_content() if plain is not None else None,
            "html": html.get_content() if html is not None else None,
            "raw": raw.decode("utf-8", "replace"),
        }
        name = f"{next(self.seq):05d}-{uuid.uuid4().hex}.json"
        tmp = os.path.join(self.folder, "." + name)
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(self.folder, name))
        return "250 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--auth")
    p.add_argument("--reject")
    a = p.parse_args()

    context = None
    if a.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(a.tls_cert, a.tls_key)

    authenticator = None
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
                user.encode(),
                password.encode(),
            )
            return AuthResult(success=ok)

    handler = Sink(a.dir, a.reject)

    def factory():
        return SMTP(
            handler,
            hostname="sink.test",
            tls_context=None if a.implicit_tls else context,
            require_starttls=a.require_starttls,
            authenticator=authenticator,
            auth_required=authenticator is not None,
            auth_require_tls=False,
        )

    async def serve():
        ssl_ctx = context if a.implicit_tls else None
        server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", a.port, ssl=ssl_ctx)
        print(f"ready {a.port}", flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    sys.exit(main())
