"""An utterance's loudness and start: it starts at its first sound (:func:`trimmed`) and
is normalised to :data:`LOUDNESS` (integrated loudness, ITU-R BS.1770, measured with
pyloudnorm) with its true peak (4x oversampled) kept under :data:`TRUE_PEAK`, resampled
to :data:`voice.service.RATE` (:func:`normalise`). :data:`PROCESSING` names these
settings in every cached utterance's key: changing one makes the speech again.

Example::

    samples = normalise(trimmed(samples, rate), rate)
"""

from __future__ import annotations

import numpy as np

from .service import RATE

LOUDNESS = -16.0  # LUFS, integrated
TRUE_PEAK = -1.5  # dBTP: a margin under the -1 dBTP limit for the AAC encoder's overshoot
LEAD = 0.03  # seconds of silence an utterance keeps before its first sound
QUIET_DB = -40.0  # below the utterance's peak by this much (10 ms windows): silence
PROCESSING = f"v2|{RATE}|{LOUDNESS}|{TRUE_PEAK}|{LEAD}|{QUIET_DB}"  # part of every cache key


def true_peak(samples: np.ndarray) -> float:
    """The true peak in dBTP: the highest sample after 4x oversampling."""
    from scipy.signal import resample_poly

    peak = float(np.max(np.abs(resample_poly(samples, 4, 1)))) if samples.size else 0.0
    return 20 * np.log10(max(peak, 1e-12))


def limit(samples: np.ndarray, ceiling_db: float, window: int = RATE // 200) -> np.ndarray:
    """A look-ahead peak limiter: the gain dips smoothly (over ``window`` samples, 5 ms)
    wherever a sample would pass ``ceiling_db``; elsewhere it is 1."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = 10 ** (ceiling_db / 20)
    wanted = np.minimum(1.0, ceiling / np.maximum(np.abs(samples), 1e-12))
    held = minimum_filter1d(wanted, size=2 * window + 1)  # the dip starts before the peak
    return samples * np.minimum(uniform_filter1d(held, size=window), wanted)


def trimmed(samples: np.ndarray, rate: int) -> np.ndarray:
    """``samples`` with the silence before the first sound cut to :data:`LEAD` seconds:
    the speech starts with its beat (Piper may begin a line with a pause). Silence is
    any 10 ms window :data:`QUIET_DB` or more below the loudest sample."""
    peak = float(np.max(np.abs(samples), initial=0.0))
    window = max(1, rate // 100)
    if peak == 0.0 or samples.size < window:
        return samples
    power = np.convolve(samples**2, np.ones(window) / window, mode="valid")
    sound = np.flatnonzero(np.sqrt(power) > peak * 10 ** (QUIET_DB / 20))
    if not sound.size:
        return samples
    return samples[max(0, int(sound[0]) - int(LEAD * rate)) :]


def normalise(samples: np.ndarray, rate: int) -> np.ndarray:
    """Resampled to :data:`RATE`, at :data:`LOUDNESS` integrated (within 0.2 LU), with
    the peaks limited so that the true peak stays at most :data:`TRUE_PEAK`."""
    import pyloudnorm
    from scipy.signal import resample_poly

    if rate != RATE:
        g = np.gcd(RATE, rate)
        samples = resample_poly(samples, RATE // g, rate // g)
    meter = pyloudnorm.Meter(RATE)
    if samples.size >= RATE // 2:  # a loudness needs 0.4 s of sound at least
        for _ in range(4):  # gain, limit, measure again: limiting lowers the loudness
            loudness = meter.integrated_loudness(samples)
            if not np.isfinite(loudness) or abs(loudness - LOUDNESS) < 0.2:
                break
            samples = limit(samples * 10 ** ((LOUDNESS - loudness) / 20), TRUE_PEAK - 0.5)
    over = true_peak(samples) - TRUE_PEAK
    if over > 0:  # what the limiter left between samples
        samples = samples * 10 ** (-over / 20)
    return samples
