"""Build step beyond pyproject.toml: the wheel ships its static files precompressed.

WhiteNoise serves ``thread.js.br`` or ``thread.js.gz`` in place of ``thread.js`` to a browser
that accepts it, without compressing on each request. The compressed copies are made here, in
the build folder only: a checkout serves the plain files, and nothing generated is committed.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class build_py_with_compressed_static(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        from whitenoise.compress import Compressor

        static = Path(self.build_lib, "commentsvc", "static")
        compressor = Compressor(quiet=True)
        for path in sorted(static.glob("*")):
            if path.suffix in (".js", ".css", ".svg", ".json"):
                for _ in compressor.compress(str(path)):
                    pass


setup(cmdclass={"build_py": build_py_with_compressed_static})
