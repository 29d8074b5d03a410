"""Input: files -> ``Article`` records (``kg.input.articles.iter_articles``).

files (which paths are articles, opening them) -> decode (bytes to text) -> language (French?) ->
chrome (page chrome around the text) -> metadata (headline, source, date) -> readers (one per
format) -> articles (every article once: duplicates and ids).
"""
