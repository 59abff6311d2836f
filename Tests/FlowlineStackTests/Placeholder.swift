enum _PlaceholderFlowlineStackTests {}
