"""Personal data: anonymized addresses, avatars, exports, erasure and retention."""
