enum _PlaceholderHTTPSupportTests {}
