"""Reading a photograph's bytes into pixels, refusing what is not a picture (no Django here: the
JSON commands and the web's services share it)."""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from anagen.core.errors import InvalidInput

# A trichoscope's picture is a few megapixels; 40 MP is ample and bounds memory (a "decompression
# bomb" declares huge dimensions in a few bytes).
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_BYTES = 40 * 1024 * 1024
FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "BMP")


def decode_image(data: bytes, field: str = "image") -> np.ndarray:
    """The picture in ``data`` as an H × W × 3 array (8-bit, or 16-bit for 16-bit grey/TIFF),
    turned upright by its EXIF orientation (a portrait photograph stays portrait).

    Raises InvalidInput naming ``field`` when the bytes are not a picture of a known format, are
    truncated, or are too large."""
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidInput.single(field, f"is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    if not data:
        raise InvalidInput.single(field, "is an empty file, not a picture")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
                width, height = probe.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise InvalidInput.single(field, f"is too large ({width}×{height} pixels): at most {MAX_IMAGE_PIXELS // 1_000_000} megapixels")
                probe.load()
                picture = ImageOps.exif_transpose(probe)
                if picture.mode in ("I;16", "I;16B", "I;16L", "I"):
                    grey = np.asarray(picture, dtype=np.uint32)
                    return np.clip(grey, 0, 65535).astype(np.uint16)
                return np.asarray(picture.convert("RGB"), dtype=np.uint8)
    except InvalidInput:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput.single(field, "is not a picture Anagen can read (JPEG, PNG, TIFF, WebP or BMP)") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise InvalidInput.single(field, "is a damaged or truncated picture") from None


def read_image_file(path: str, field: str = "image") -> np.ndarray:
    """The picture in the file at ``path`` (see :func:`decode_image`)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_IMAGE_BYTES + 1)
    except FileNotFoundError:
        raise InvalidInput.single(field, f"no file at {path}") from None
    except IsADirectoryError:
        raise InvalidInput.single(field, f"{path} is a folder, not a picture") from None
    except OSError as exc:
        raise InvalidInput.single(field, f"cannot read {path}: {exc.strerror}") from None
    return decode_image(data, field)
