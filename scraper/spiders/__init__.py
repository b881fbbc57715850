"""Spiders decide what to fetch; page objects (``scraper.pages``) decide what a page says."""
