"""``motcua documents sign|verify|dev-ca``: PAdES signatures on PDFs (docs/signatures.md).

``sign IN OUT [--signer NAME] [--reason TEXT] [--force]`` adds a signature with a visible
stamp; OUT is written atomically and an existing OUT is refused without ``--force``.
``verify FILE`` prints each signature's signer, signing time, RFC 3161 timestamp (time and
validity, when there is one) and problems, and exits 0 only
when every signature is intact and trusted (MOTCUA_SIGNING_TRUST_ROOTS); 1 otherwise.
``dev-ca DIR`` makes a development CA and two signers, and prints the settings that use them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motcua.signatures.devca import create_dev_ca
from motcua.signatures.errors import SignatureError
from motcua.signatures.pdfinput import read_file
from motcua.signatures.selectors import verify_pdf
from motcua.signatures.services import sign_pdf, stamp_moment, write_atomically
from motcua.signatures.signers import configured_signer

OPTION_OF_FIELD = {
    "signer": "--signer",
    "tsa": "MOTCUA_SIGNING_TSA_URL",
    "trust_roots": "MOTCUA_SIGNING_TRUST_ROOTS",
    "directory": "DIR",
}


def _refused(error: SignatureError, **names: str) -> CommandError:
    """The error as ``OPTION: message``, the option named as the user typed it."""
    option = names.get(error.field or "") or OPTION_OF_FIELD.get(error.field or "", "")
    return CommandError(f"{option}: {error.message}" if option else error.message)


@contextmanager
def _quiet_libraries() -> Iterator[None]:
    # pyHanko logs a traceback for every untrusted chain and fontTools a warning per subset;
    # the report already says what matters, so only their errors reach the terminal.
    loggers = [logging.getLogger(name) for name in ("pyhanko", "fontTools")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class Command(BaseCommand):
    help = "Digital signatures on PDFs: sign, verify, dev-ca."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sign = sub.add_parser("sign", help="sign a PDF (PAdES) with a visible stamp")
        sign.add_argument("source", metavar="IN", help="the PDF to sign")
        sign.add_argument("target", metavar="OUT", help="where to write the signed PDF")
        sign.add_argument(
            "--signer", help="a name in MOTCUA_SIGNERS (default MOTCUA_SIGNING_DEFAULT)"
        )
        sign.add_argument("--reason", help="the reason recorded in the signature and stamp")
        sign.add_argument("--force", action="store_true", help="replace OUT if it exists")
        verify = sub.add_parser(
            "verify", help="check every signature; exit 0 only if all are intact and trusted"
        )
        verify.add_argument("file", metavar="FILE", help="the signed PDF")
        dev_ca = sub.add_parser(
            "dev-ca", help="make a DEVELOPMENT CA and two signers (never for production)"
        )
        dev_ca.add_argument("directory", metavar="DIR", help="where to write the files")
        dev_ca.add_argument("--force", action="store_true", help="replace earlier files")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        with _quiet_libraries():
            if action == "sign":
                self.sign(options)
            elif action == "verify":
                self.verify(Path(options["file"]))
            else:
                self.dev_ca(Path(options["directory"]), force=options["force"])

    def sign(self, options: dict[str, Any]) -> None:
        source = Path(options["source"])
        target = Path(options["target"])
        names = {"source": "IN", "target": "OUT"}
        try:
            # Checked before signing so a refused OUT costs no token login.
            if target.exists() and not options["force"]:
                raise SignatureError(
                    _("%(path)s exists (use --force to replace it)") % {"path": target},
                    field="target",
                )
            data = read_file(source, field="source")
            signer = configured_signer(options.get("signer"))
            signed = sign_pdf(source=data, signer=signer, reason=options.get("reason"))
            write_atomically(target, signed, force=options["force"])
        except SignatureError as error:
            raise _refused(error, **names) from None
        self.stdout.write(
            _("Signed %(source)s as %(signer)s: %(target)s")
            % {"source": source, "signer": signer.name, "target": target}
        )

    def verify(self, path: Path) -> None:
        try:
            report = verify_pdf(read_file(path, field="source"))
        except SignatureError as error:
            raise _refused(error, source="FILE") from None
        if not report.signatures:
            self.stdout.write(_("%(path)s: no signature") % {"path": path})
        for number, check in enumerate(report.signatures, start=1):
            when = stamp_moment(check.signed_at) if check.signed_at else "-"
            state = _("valid") if check.ok else _("NOT valid")
            self.stdout.write(
                _("Signature %(number)s: %(state)s. Signer: %(signer)s. Signed: %(when)s.")
                % {"number": number, "state": state, "signer": check.signer, "when": when}
            )
            if check.timestamp is not None:
                self.stdout.write(
                    "  "
                    + _("Timestamp (RFC 3161): %(when)s, %(state)s.")
                    % {
                        "when": stamp_moment(check.timestamp),
                        "state": _("valid") if check.timestamp_ok else _("NOT valid"),
                    }
                )
            else:
                self.stdout.write(
                    "  " + _("No timestamp: the signing time is the one the signer claims.")
                )
            for problem in check.problems:
                self.stdout.write(f"  - {problem.label}")
        if report.ok:
            self.stdout.write(_("All signatures are valid."))
            return
        self.stdout.write(
            _("NOT verified: %(problems)s")
            % {"problems": "; ".join(problem.label for problem in report.problems)}
        )
        # A report, not a usage error: the message is above, the exit status says the verdict.
        self.stdout.flush()
        sys.exit(1)

    def dev_ca(self, directory: Path, *, force: bool) -> None:
        try:
            ca = create_dev_ca(directory, force=force)
        except SignatureError as error:
            raise _refused(error) from None
        self.stdout.write(
            _("DEVELOPMENT CA written to %(path)s. Its signatures have no legal value.")
            % {"path": directory}
        )
        self.stdout.write(f"MOTCUA_SIGNERS_JSON='{ca.signers_json}'")
        self.stdout.write(f"MOTCUA_SIGNING_TRUST_ROOTS={ca.root_pem}")
        self.stdout.write("MOTCUA_SIGNING_DEFAULT=official")
