package convocations

import (
	"context"
	"fmt"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/notify"
	"portique/internal/users"
)

// demoDelegates are the other delegates of the demo's comité syndical
// (accounts invited, not yet activated), with their answers.
var demoDelegates = []struct {
	email, name, answer string
	proxyTo             int // index in this list (-1: none)
}{
	{"delegue.nyons@communes.example", "Marc Aubert", Present, -1},
	{"delegue.buis@communes.example", "Hélène Faure", Present, -1},
	{"delegue.mirabel@communes.example", "Yves Girard", Proxy, 0},
	{"delegue.vinsobres@communes.example", "Nadia Cherif", Absent, -1},
	{"delegue.venterol@communes.example", "Paul Reynaud", Present, -1},
	{"delegue.saint-maurice@communes.example", "Claire Morel", "", -1},
}

// SeedDemo makes the demo's "Comité syndical" event a session of the Élus
// (the demo élu and six delegates), sends its convocation (to the outbox)
// and records the delegates' answers, leaving the demo élu to answer; it
// sets the demo accounts' notification preferences. It does nothing when
// a session exists already.
func (s *Store) SeedDemo(ctx context.Context, n *notify.Store, now time.Time) error {
	var count int
	if err := s.DB.QueryRow(ctx, "SELECT COUNT(*) FROM convocations").Scan(&count); err != nil || count > 0 {
		return err
	}
	var eventID, elus int64
	if err := s.DB.QueryRow(ctx, "SELECT id FROM events WHERE title = ? ORDER BY starts_at DESC LIMIT 1", "Comité syndical").Scan(&eventID); err != nil {
		return fmt.Errorf("demo comité: %w", db.NotFound(err))
	}
	if err := s.DB.QueryRow(ctx, "SELECT id FROM groups WHERE name = ?", "Élus").Scan(&elus); err != nil {
		return fmt.Errorf("demo élus: %w", db.NotFound(err))
	}
	sys := access.System()
	var ids []int64
	for _, d := range demoDelegates {
		u, _, err := s.Accounts.Create(ctx, sys, users.Form{Email: d.email, Name: d.name, Groups: []int64{elus}})
		if err != nil {
			return fmt.Errorf("demo delegate %s: %w", d.email, err)
		}
		ids = append(ids, u.ID)
	}
	if err := s.Save(ctx, sys, eventID, Form{Body: Comite, GroupID: elus, Agenda: "Approbation du procès-verbal de la séance précédente\n" +
		"Débat d’orientation budgétaire 2027\nTarifs des déchèteries pour les professionnels\nRapport annuel sur le prix et la qualité du service\nQuestions diverses"}); err != nil {
		return err
	}
	if _, err := s.Send(ctx, sys, eventID); err != nil {
		return err
	}
	for i, d := range demoDelegates {
		if d.answer == "" {
			continue
		}
		var to int64
		if d.proxyTo >= 0 {
			to = ids[d.proxyTo]
		}
		a := access.Actor{Principal: access.Member(ids[i], false, []int64{elus}), Name: d.email}
		if err := s.Answer(ctx, a, eventID, d.answer, to); err != nil {
			return fmt.Errorf("demo answer of %s: %w", d.email, err)
		}
	}
	// Notification preferences of the demo accounts.
	for email, modes := range map[string][3]string{
		"elu@sydrav.example":           {notify.Daily, notify.Immediate, notify.Daily},
		"technicien@sydrav.example":    {notify.Immediate, notify.Daily, notify.Never},
		"stagiaire@sydrav.example":     {notify.Never, notify.Never, notify.Daily},
		"communication@sydrav.example": {notify.Daily, notify.Never, notify.Never},
	} {
		u, err := s.Accounts.GetByEmail(ctx, email)
		if err != nil {
			continue // not the standard demo
		}
		a := access.Actor{Principal: u.Principal(), Name: u.Email}
		if err := n.SetPrefs(ctx, a, map[string]string{notify.AreaDocuments: modes[0], notify.AreaAgenda: modes[1], notify.AreaPages: modes[2]}); err != nil {
			return err
		}
	}
	return nil
}
