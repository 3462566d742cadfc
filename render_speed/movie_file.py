"""Join a chapter's movie from its section videos instead of from every animation's.

With ``save_sections`` (the pipeline always saves them, for the lecture deck),
ManimCE joins the partial movie files, one per animation (about fifty a chapter),
twice: all of them into the chapter's movie, then each section's into the section's
video. Opening a partial file and copying its packets is most of that cost, about
0.2 s a chapter each time. :func:`install` makes the writer join the sections first
and then the chapter's movie from its handful of section videos: the same packets
in the same order with the same durations (tests/render_speed/test_movie_file.py
decodes both and compares them).
"""

from __future__ import annotations

from manim.scene.scene_file_writer import SceneFileWriter

_ORIGINAL_MOVIE = SceneFileWriter.combine_to_movie
_ORIGINAL_SECTIONS = SceneFileWriter.combine_to_section_videos


def _joinable(writer: SceneFileWriter) -> bool:
    """The sections' videos hold every partial movie file, and nothing else (sound,
    a GIF) is asked of the movie."""
    spec = writer.output_spec
    if not (spec.is_video and spec.save_sections) or spec.is_gif or writer.includes_sound:
        return False
    writer.finish_last_section()
    sections = writer.sections
    if not sections or any(section.video is None for section in sections):
        return False
    in_sections = [p for s in sections for p in s.get_clean_partial_movie_files()]
    return in_sections == [p for p in writer.partial_movie_files if p is not None]


def _combine_to_movie(self: SceneFileWriter) -> None:
    if not _joinable(self):
        return _ORIGINAL_MOVIE(self)
    _ORIGINAL_SECTIONS(self)
    self._sections_joined = True
    videos = [
        str(self.sections_output_dir / s.video)
        for s in self.sections
        if s.get_clean_partial_movie_files()
    ]
    if not videos:
        return _ORIGINAL_MOVIE(self)
    self.combine_files(videos, self.movie_file_path)
    self.print_file_ready_message(str(self.movie_file_path))


def _combine_to_section_videos(self: SceneFileWriter) -> None:
    if not getattr(self, "_sections_joined", False):
        _ORIGINAL_SECTIONS(self)


def install() -> None:
    """Join chapters' movies from their section videos, in every scene of this process."""
    SceneFileWriter.combine_to_movie = _combine_to_movie
    SceneFileWriter.combine_to_section_videos = _combine_to_section_videos


def uninstall() -> None:
    """ManimCE's own behaviour again."""
    SceneFileWriter.combine_to_movie = _ORIGINAL_MOVIE
    SceneFileWriter.combine_to_section_videos = _ORIGINAL_SECTIONS


def installed() -> bool:
    methods = SceneFileWriter.__dict__
    return (
        methods["combine_to_movie"] is _combine_to_movie
        and methods["combine_to_section_videos"] is _combine_to_section_videos
    )
