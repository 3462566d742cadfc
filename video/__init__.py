"""Tools around the scenes: render and stitch the video, lecture decks, benchmarks."""
