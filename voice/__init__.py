"""The narrated video: every beat's narration spoken by an offline voice.

* :mod:`voice.verbalise` turns the on-screen notation into words a voice reads well;
* :mod:`voice.service` is what a chapter asks of a voice: a speech service, handed to
  the scene, takes a line of text and gives back its speech (a WAV file and its
  length); :func:`voice.service.speech_service` makes one of an engine by name;
* :mod:`voice.piper` is the narration's engine: the Piper program (a separate process:
  Piper is GPL-3.0 and is never imported), one per render process, on one thread;
* :mod:`voice.cache` keeps each utterance and each sentence said on disk, named by its
  text, the voice and the settings; :mod:`voice.loudness` trims and normalises an
  utterance; :mod:`voice.wav` writes and checks the WAV files;
* :mod:`voice.tone` is a stand-in engine for tests: a tone as long as the words;
* :mod:`voice.track` lays the speech of a chapter's beats on one audio track at the
  beats' start times and muxes it into the videos; :mod:`voice.media` holds what it
  shares with the pipeline below it (a video's length, a file replaced in one step).
"""
