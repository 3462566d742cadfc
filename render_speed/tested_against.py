"""What the speed-ups were written and tested against: the ManimCE and PyAV versions,
the methods of ManimCE they replace, and the parts of ManimCE's inside they rely on.

On any other version of either package they stay off (:func:`render_speed.usable`):
the video is then rendered by ManimCE's own code, only more slowly. Moving to a new
version: run the tests (tests/render_speed/ compares every speed-up with ManimCE's
own results and checks that every name below still exists), re-render a chapter and
compare it with one rendered before, then change :data:`TESTED`.
"""

from __future__ import annotations

import importlib
from typing import NamedTuple

TESTED = {"manim": "0.22.0", "av": "18.1.0"}


class Touched(NamedTuple):
    owner: str  # "module:Class", or "module" for a module's own name
    name: str
    why: str


def found() -> dict[str, str]:
    """The versions of ManimCE and PyAV in this process."""
    import av
    import manim

    return {"manim": manim.__version__, "av": av.__version__}


def untested() -> dict[str, str]:
    """The packages whose version is not the one tested, with the version found."""
    return {name: version for name, version in found().items() if version != TESTED[name]}


def resolve(owner: str) -> object:
    """The class (``"module:Class"``) or module (``"module"``) named ``owner``."""
    module, _, rest = owner.partition(":")
    target = importlib.import_module(module)
    for part in filter(None, rest.split(".")):
        target = getattr(target, part)
    return target


ENCODER = "manim.scene.video_segment_encoder:VideoSegmentEncoder"
WRITER = "manim.scene.scene_file_writer:SceneFileWriter"
SECTION = "manim.scene.section:Section"
VMOBJECT = "manim.mobject.types.vectorized_mobject:VMobject"
POLYGRAM = "manim.mobject.geometry.polygram:Polygram"
CAMERA = "manim.camera.camera:Camera"
CAMERA_MODULE = "manim.camera.camera"
SCENE = "manim.scene.scene:Scene"
TRANSFORM = "manim.animation.transform:Transform"
ANIMATION = "manim.animation.animation:Animation"
DRAW_BORDER = "manim.animation.creation:DrawBorderThenFill"

# Methods :func:`render_speed.install` replaces in every instance of this process (and
# :func:`render_speed.uninstall` puts back).
REPLACED = (
    Touched(ENCODER, "write_frame", "encoding.py: a held picture encoded once; rows converted"),
    Touched(ENCODER, "finish", "encoding.py: the last packets muxed with their durations"),
    Touched(WRITER, "combine_to_movie", "movie_file.py: the movie joined from section videos"),
    Touched(WRITER, "combine_to_section_videos", "movie_file.py: not joined twice"),
    Touched(VMOBJECT, "get_points_defining_boundary", "bounds.py: gathered with numpy"),
    Touched(POLYGRAM, "round_corners", "corners.py: kept by the polygon's points"),
)

# Private attributes of ManimCE (a leading underscore) the speed-ups read or call.
PRIVATE = (
    Touched(ENCODER, "_validate_frame", "ManimCE's checks of a picture, made first as it does"),
    Touched(ENCODER, "_operation_error", "wraps an encoder error as ManimCE does"),
    Touched(ENCODER, "_stream", "the PyAV stream: size, pixel format, threads; encode()"),
    Touched(ENCODER, "_container", "the PyAV container: mux(), close()"),
    Touched(ENCODER, "_next_pts", "the next frame's time, advanced by a held picture's frames"),
    Touched(ENCODER, "_closed", "set by finish(): a second finish() does nothing"),
)

# Attributes the speed-ups add to ManimCE's objects (none of ManimCE's may have the name).
ADDED = (
    Touched(ENCODER, "_previous_picture", "encoding.py: the last picture and its YUV frame"),
    Touched(ENCODER, "_held_durations", "encoding.py: a held picture's frames, by its pts"),
    Touched(WRITER, "_sections_joined", "movie_file.py: the sections' videos exist already"),
)

# Public but undocumented parts of ManimCE's inside that the speed-ups depend on: what
# they compute must stay what ManimCE computes with them.
INTERNAL = (
    Touched(CAMERA, "type_or_raise", "path_cache.py: overridden, kept per class"),
    Touched(CAMERA, "display_vectorized", "path_cache.py: overridden, the same cairo calls"),
    Touched(CAMERA, "set_cairo_context_path", "path_cache.py: overridden, paths kept"),
    Touched(CAMERA, "set_cairo_context_color", "path_cache.py: gradients left to ManimCE"),
    Touched(CAMERA, "transform_points_pre_display", "path_cache.py: the points drawn"),
    Touched(CAMERA, "cairo_line_width_multiple", "path_cache.py: stroke widths"),
    Touched(CAMERA_MODULE, "LINE_JOIN_MAP", "path_cache.py: joint types as cairo's"),
    Touched(CAMERA_MODULE, "CAP_STYLE_MAP", "path_cache.py: cap styles as cairo's"),
    Touched(CAMERA, "use_z_index", "redraw.py: the order the camera draws in"),
    Touched(VMOBJECT, "tolerance_for_point_equality", "path_cache.py: where subpaths end"),
    Touched(VMOBJECT, "n_points_per_cubic_curve", "bounds.py: points per curve"),
    Touched(SCENE, "get_moving_mobjects", "redraw.py: ChapterScene overrides it"),
    Touched(SCENE, "foreground_mobjects", "redraw.py: ManimCE's rule when there are any"),
    Touched(ANIMATION, "starting_mobject", "redraw.py: set by begin(), where points start"),
    Touched(TRANSFORM, "target_copy", "redraw.py: set by begin(), where points end"),
    Touched(TRANSFORM, "path_arc", "redraw.py: points that move on arcs"),
    Touched(DRAW_BORDER, "outline", "redraw.py: set by begin(), drawn first"),
    Touched("manim.utils.family", "extract_mobject_family_members", "redraw.py: draw order"),
    Touched(WRITER, "output_spec", "movie_file.py: video, sections, GIF"),
    Touched(WRITER, "includes_sound", "movie_file.py: a movie with sound is ManimCE's"),
    Touched(WRITER, "finish_last_section", "movie_file.py: called before joining"),
    Touched(WRITER, "sections", "movie_file.py: the sections and their videos"),
    Touched(WRITER, "partial_movie_files", "movie_file.py: every animation's file"),
    Touched(WRITER, "sections_output_dir", "movie_file.py: where section videos are"),
    Touched(WRITER, "combine_files", "movie_file.py: joins files as ManimCE does"),
    Touched(WRITER, "movie_file_path", "movie_file.py: the chapter's movie"),
    Touched(WRITER, "print_file_ready_message", "movie_file.py: as ManimCE reports"),
    Touched(SECTION, "video", "movie_file.py: a section's video file"),
    Touched(SECTION, "get_clean_partial_movie_files", "movie_file.py: a section's files"),
)
