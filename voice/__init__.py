"""The narrated video: every beat's narration spoken by an offline voice.

* :mod:`voice.verbalise` turns the on-screen notation into words a voice reads well;
* :mod:`voice.speech` runs the Piper program (a separate process: Piper is GPL-3.0 and
  is never imported) and caches each beat's speech on disk;
* :mod:`voice.track` lays the speech of a chapter's beats on one audio track at the
  beats' start times, loudness-normalised, and muxes it into the videos.
"""
