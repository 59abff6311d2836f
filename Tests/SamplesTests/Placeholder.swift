enum _PlaceholderSamplesTests {}
