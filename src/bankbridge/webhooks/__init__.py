"""Events and webhooks: topics, signing, and background delivery with retries."""
