"""E-seal: a PAdES signature with the org's certificate, shown as the org's red seal.

The QR code linking to the public verify page is drawn into the HTML before rendering,
so it is part of the signed content: moving it to another document breaks the seal.
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from PIL import Image

from app.documents.pdf import SealBox

FIELD = "ARH-Seal"


def qr_svg(url: str) -> str:
    """A QR code as an SVG data URI: vector, so it stays sharp in print."""
    import qrcode
    import qrcode.image.svg

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=1,
                       image_factory=qrcode.image.svg.SvgPathFillImage)
    qr.add_data(url)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image().save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def image_stamp_style(png: bytes, opacity: float):  # noqa: ANN201
    """A pyHanko stamp that is just the seal picture, filling its box."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.stamp import StaticStampStyle
    return StaticStampStyle(
        background=PdfImage(Image.open(io.BytesIO(png))), border_width=0, background_opacity=opacity,
        background_layout=layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MID,
                                                     y_align=layout.AxisAlignment.ALIGN_MID,
                                                     margins=layout.Margins.uniform(0)))


@dataclass(frozen=True)
class SealMaterial:
    cert_pem: bytes
    key_der: bytes
    ca_pem: bytes
    seal_png: bytes
    signer_name: str


def seal_pdf(pdf: bytes, box: SealBox, m: SealMaterial, *, reason: str = "电子文书签章",
             location: str = "广东省江门市") -> bytes:
    """Sign `pdf` (CPU-bound: call it in a thread). A certification signature: any later change
    to the document shows as a broken seal in PDF readers."""
    # pyHanko is imported on first use: it is slow to import and API workers must start fast.
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import MDPPerm
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert = next(iter(load_certs_from_pemder_data(m.cert_pem)))
    signer = signers.SimpleSigner(
        signing_cert=cert, signing_key=load_private_key_from_pemder_data(m.key_der, passphrase=None),
        cert_registry=SimpleCertificateStore.from_certs(list(load_certs_from_pemder_data(m.ca_pem))))
    stamp = image_stamp_style(m.seal_png, opacity=1.0)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256", reason=reason,
        location=location, name=m.signer_name, certify=True, docmdp_permissions=MDPPerm.NO_CHANGES)
    spec = fields.SigFieldSpec(FIELD, on_page=box.page, box=box.rect)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = signers.PdfSigner(meta, signer, stamp_style=stamp, new_field_spec=spec).sign_pdf(writer)
    return out.getvalue()
