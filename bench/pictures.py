"""Drawing large pictures again for documents (`soket.documents.pictures`): the time and
the peak memory of one 40-megapixel picture, each in a child process of its own so that
its peak resident size (VmHWM, Linux) is its own; the child's size once Django and
Pillow are imported is given beside it, and "naive" is the same picture opened whole,
converted and shrunk the plain Pillow way, for comparison. Needs no database:

    DEBUG=1 .venv/bin/python bench/pictures.py
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 7745, 5164  # just under 40 megapixels, 3:2 like a camera's

CHILD = """
import io, os, sys, time
sys.path.insert(0, sys.argv[1])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "soket.settings")
import django
django.setup()
from PIL import Image
from soket.documents import pictures

def peak():
    with open("/proc/self/status") as status:
        return int(next(line.split()[1] for line in status if line.startswith("VmHWM")))

path, image_format, how = sys.argv[2:5]
before = peak()
start = time.perf_counter()
with open(path, "rb") as handle:
    if how == "soket":
        picture = pictures.document_picture(handle, expected=image_format)
        size = (picture.width, picture.height)
    else:
        image = Image.open(handle)
        image = image.convert("RGBA" if image.mode in ("RGBA", "P", "LA") else "RGB")
        image.thumbnail((pictures.LONGEST_SIDE, pictures.LONGEST_SIDE))
        size = image.size
print(f"{time.perf_counter() - start:.2f} {before} {peak()} {size[0]}x{size[1]}")
"""


def photo(mode: str) -> Image.Image:
    """Something a camera might give: smooth shading with sensor noise on it."""
    shade = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    grey = Image.blend(shade, Image.effect_noise((WIDTH, HEIGHT), 24), 0.3)
    mirrored = grey.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    rgb = Image.merge("RGB", (grey, grey.transpose(Image.Transpose.ROTATE_180), mirrored))
    return rgb.convert(mode) if mode != "RGB" else rgb


def screenshot(mode: str) -> Image.Image:
    """Something a screen might give: flat colours and lines, which PNG packs well."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (250, 250, 250))
    stripe = Image.new("RGB", (WIDTH, 40), (30, 90, 160))
    for top in range(0, HEIGHT, 160):
        image.paste(stripe, (0, top))
    if mode == "P":
        return image.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    return image.convert(mode)


CASES = [
    ("JPEG, RGB photo", lambda: photo("RGB"), "JPEG", {"quality": 85}),
    ("JPEG, CMYK photo", lambda: photo("CMYK"), "JPEG", {"quality": 85}),
    ("PNG, RGB photo", lambda: photo("RGB"), "PNG", {"compress_level": 1}),
    ("PNG, RGBA screenshot", lambda: screenshot("RGBA"), "PNG", {}),
    ("PNG, palette screenshot", lambda: screenshot("P"), "PNG", {}),
]


def main() -> None:
    print(f"Pictures for documents: {WIDTH}×{HEIGHT} ({WIDTH * HEIGHT / 1e6:.0f} MP) each")
    environment = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1")}
    with tempfile.TemporaryDirectory() as folder:
        for label, make, image_format, options in CASES:
            path = Path(folder) / f"picture.{image_format.lower()}"
            image = make()
            image.save(path, image_format, **options)
            del image
            megabytes = path.stat().st_size / 2**20
            for how in ("soket", "naive"):
                result = subprocess.run(
                    [sys.executable, "-c", CHILD, str(ROOT), str(path), image_format, how],
                    capture_output=True,
                    text=True,
                    env=environment,
                    check=False,
                )
                if result.returncode:
                    print(f"  {label} ({how}): failed\n{result.stderr}")
                    continue
                seconds, before, after, size = result.stdout.split()
                print(
                    f"  {label}, {megabytes:.1f} MB file, {how:5}: {float(seconds):5.2f} s, "
                    f"peak {int(after) / 1024:5.0f} MB ({int(before) / 1024:.0f} MB after "
                    f"imports, +{(int(after) - int(before)) / 1024:.0f} MB), gives {size}"
                )


if __name__ == "__main__":
    main()
