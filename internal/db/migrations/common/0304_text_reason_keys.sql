-- The reason a document has no indexable text is now stored as the
-- catalogue key of its message (documents.reason.scanned…), like every
-- other message of the domains. Rows written before kept the short code.
-- Anything else (a text written by hand) is shown as it is.
UPDATE documents SET text_reason = 'documents.reason.' || text_reason
WHERE text_reason IN ('scanned', 'encrypted', 'damaged', 'no-tool', 'timeout', 'too-complex', 'image', 'empty', 'unsupported');
