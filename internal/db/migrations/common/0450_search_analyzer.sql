-- The version of the analyser whose tokens the index holds
-- (search.AnalyzerVersion). The server compares it at start-up and, when the
-- analyser has changed (« déchetterie » = « déchèterie », issue 13), rebuilds
-- the index in the background, then records the new version. 0: the index
-- was built before versions were recorded.
CREATE TABLE search_analyzer (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	version  INTEGER NOT NULL
);
INSERT INTO search_analyzer (id, version) VALUES (1, 0);
