"""PAdES digital signatures on the project's PDFs (docs/signatures.md).

``signers`` turns MOTCUA_SIGNERS into key holders (a PKCS#12 file, a PKCS#11 token),
``services`` signs and writes, ``selectors`` verifies, ``devca`` makes a development CA.
"""
