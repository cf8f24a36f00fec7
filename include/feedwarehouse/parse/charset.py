"""A feed's bytes as text: the charset from a BOM, the XML declaration or the HTTP header.

Every parser after this one (the entity guard's expat passes, the element scan, feedparser)
reads the same UTF-8 document, so a charset expat cannot read (Shift_JIS, EUC-JP, GB2312:
"multi-byte encodings are not supported") is decoded here once, by any codec Python knows.
Charset labels name the browsers' supersets, as the WHATWG Encoding Standard maps them:
publishers who write "Shift_JIS" or "ISO-8859-1" send Microsoft's supersets of them (cp932,
windows-1252), and a strict decoder would fail on the first character outside the labelled set.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_XML_DECLARATION = re.compile(r"""\A<\?xml[^>]*?\?>""")
_ENCODING_PSEUDO_ATTRIBUTE = re.compile(r"""(\sencoding\s*=\s*)(["'])([A-Za-z0-9._:-]+)\2""")
_XML_ENCODING = re.compile(rb"""\A\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_HTTP_CHARSET = re.compile(r"charset=[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
# byte order marks, longest first (UTF-32 LE starts like UTF-16 LE)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# "<?" without a BOM in the encodings whose bytes are not ASCII's (XML 1.0, appendix F)
_SIGNATURES = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),  # EBCDIC; the declaration names the exact code page
)
# Python codec name -> the codec browsers decode that label with (WHATWG Encoding Standard)
SUPERSETS = {
    "ascii": "cp1252",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "gb2312": "gb18030",  # WHATWG: gb2312 and gbk labels use the gb18030 decoder
    "gbk": "gb18030",
    "big5": "big5hkscs",
}
# labels publishers send that Python's codec registry does not know by that name
_LABELS = {"windows-31j": "cp932", "x-sjis": "cp932", "x-euc-jp": "euc_jp", "x-gbk": "gbk"}
_C1 = "feedwarehouse-c1"


def _c1_controls(error: UnicodeError) -> tuple[str, int]:
    """Bytes windows-1252 leaves undefined (0x81, 0x8D, …) are the C1 controls, as WHATWG says."""
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(_C1, _c1_controls)


@dataclass(frozen=True)
class Decoded:
    """The document as UTF-8 (its declaration saying so), the charset it was read with, and a
    note when that charset had to be assumed or bytes replaced."""

    payload: bytes
    encoding: str
    note: str | None = None


def codec_for(label: str | None) -> str | None:
    """The Python codec browsers would use for a charset label; None if no codec knows it."""
    if not label:
        return None
    label = _LABELS.get(label.strip().lower(), label.strip())
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return SUPERSETS.get(name, name)


def decode(payload: bytes, content_type: str | None = None) -> Decoded:
    """The payload as UTF-8 text.

    A BOM wins; then an XML declaration the bytes decode with; then valid UTF-8 (XML's
    default); UTF-8 with a few corrupt bytes stays UTF-8, those replaced with U+FFFD (as
    browsers do) rather than every other character misread. Failing those, the HTTP charset
    (servers often send a wrong default one, so it comes after the document's own word);
    failing that, windows-1252 (what browsers assume) rather than a guess that varies with the
    text.
    """
    for bom, encoding in _BOMS:
        if payload.startswith(bom):
            text = payload[len(bom) :].decode(encoding, "replace")
            return Decoded(_as_utf8(text), encoding)
    for signature, family in _SIGNATURES:
        if payload.startswith(signature):
            return _wide(payload, family)
    declared = _XML_ENCODING.match(payload[:512])
    label = declared.group(1).decode("ascii") if declared else "utf-8"
    codec = codec_for(label)
    if codec is not None:
        text = _strict(payload, codec)
        if text is not None:  # valid UTF-8 (most feeds) is passed on as it came
            utf8 = payload if codec == "utf-8" else _as_utf8(text)
            return Decoded(utf8, label.lower())
        text, replaced = _mostly(payload, codec)
        if text is not None:
            note = (
                f"CharacterEncodingOverride: {replaced} invalid {label} byte sequences "
                "replaced with U+FFFD"
            )
            return Decoded(_as_utf8(text), label.lower(), note)
    charset = _HTTP_CHARSET.search(content_type or "")
    http_codec = codec_for(charset.group(1)) if charset else None
    if charset and http_codec:
        text = _strict(payload, http_codec)
        if text is not None:
            return Decoded(_as_utf8(text), charset.group(1).lower())
    shown = label if codec else f"{label} (a charset no codec knows)"
    note = (
        f"CharacterEncodingOverride: not valid {shown} and no usable charset; read as windows-1252"
    )
    return Decoded(_as_utf8(payload.decode("cp1252", _C1)), "windows-1252", note)


def _wide(payload: bytes, family: str) -> Decoded:
    """UTF-16/32 or EBCDIC without a BOM: the family's codec, then the declared code page."""
    text = payload.decode(family, "replace")
    declared = _ENCODING_PSEUDO_ATTRIBUTE.search(_declaration(text))
    codec = codec_for(declared.group(3)) if declared else None
    if family == "cp037" and codec and codec != family:
        exact = _strict(payload, codec)
        text = exact if exact is not None else text
    return Decoded(_as_utf8(text), family)


def _declaration(text: str) -> str:
    match = _XML_DECLARATION.match(text)
    return match.group(0) if match else ""


def _as_utf8(text: str) -> bytes:
    """The text as UTF-8 bytes whose XML declaration (if any) says utf-8."""
    declaration = _declaration(text)
    if declaration and _ENCODING_PSEUDO_ATTRIBUTE.search(declaration):
        fixed = _ENCODING_PSEUDO_ATTRIBUTE.sub(r"\1\2utf-8\2", declaration, count=1)
        text = fixed + text[len(declaration) :]
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").encode("utf-8")


def _strict(payload: bytes, codec: str) -> str | None:
    try:
        return payload.decode(codec, _C1 if codec == "cp1252" else "strict")
    except (LookupError, UnicodeDecodeError):
        return None


def _mostly(payload: bytes, codec: str) -> tuple[str | None, int]:
    """The payload decoded if its invalid sequences are outnumbered by valid non-ASCII ones.

    Text in a single-byte charset (windows-1252) almost never forms valid multi-byte
    sequences (UTF-8, Shift_JIS, GBK), so it fails this test and keeps the charset fallback.
    """
    try:
        text = payload.decode(codec, "replace")
    except LookupError:
        return None, 0
    replaced = text.count("\ufffd") - payload.count("\ufffd".encode())
    valid_non_ascii = len(text) - len(text.encode("ascii", "ignore")) - replaced
    return (text if 0 < replaced <= valid_non_ascii else None), replaced
