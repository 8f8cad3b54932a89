package site

import (
	"context"
	"time"

	"portique/internal/access"
)

// SeedDemo writes the demo body's settings (the syndicate SYDRAV): its
// contacts, its host and an audit at 78.5 %, so the legal pages and the
// footer read « partiellement conforme ». The demo's logo stays the
// program's own.
func (s *Store) SeedDemo(ctx context.Context, now time.Time) error {
	s.Now = func() time.Time { return now }
	a := access.System()
	a.Name = "demo"
	return s.Set(ctx, a, map[string]string{
		Name:        "SYDRAV",
		Address:     "1 rue du Tri, 26000 Valence",
		ContactMail: "contact@sydrav.example",
		Telephone:   "04 00 00 00 00",
		Hours:       "Du lundi au vendredi : 8 h 30 – 12 h et 13 h 30 – 17 h\nFermé les jours fériés",
		Siret:       "25260099900012",
		Director:    "Bernard Coste, président du SYDRAV",
		HostName:    "Hébergeur de démonstration SAS",
		HostAddress: "10 rue des Serveurs, 69000 Lyon — 04 00 00 00 01",
		AuditDate:   now.AddDate(0, -2, 0).Format(time.DateOnly),
		AuditRate:   "78.5",
		AuditBy:     "Cabinet d’audit de démonstration",
		AuditPages: "Accueil (/)\nLe syndicat (/le-syndicat)\nOù jeter ? (/ou-jeter)\nDéchèteries (/decheteries)\nAgenda (/agenda)\n" +
			"Registre des actes (/actes)\nConnexion (/connexion)\nDocuments de l’extranet (/documents)",
		AuditTools: "axe-core\nNVDA 2024.4\nWAVE",
		AuditEnv:   "Firefox et NVDA sous Windows 11\nSafari et VoiceOver sous macOS\nChrome et TalkBack sous Android",
		NonCompliant: "Certains documents PDF anciens de l’espace documentaire ne sont pas balisés (critère 13.3).\n" +
			"La carte des déchèteries n’a pas d’alternative complète hors de la liste des adresses (critère 1.1).",
		Derogations: "Les archives des délibérations antérieures à 2015, numérisées en images.",
		Exempt:      "Les fichiers bureautiques publiés avant le 23 septembre 2018.",
		Privacy: "Les comptes de l’extranet ne conservent que le nom, l’adresse électronique et l’appartenance aux groupes. " +
			"Aucun traceur publicitaire n’est utilisé. Pour exercer vos droits (accès, rectification, effacement), écrivez à contact@sydrav.example.",
	})
}
