package store

import (
	"context"
	"fmt"
)

// The exports: each a header and a query whose columns are all text, in the header's order.
// Personal data (names, phone numbers, NIB, business names) is only in the personal variant.
type export struct {
	header, personal []string
	// query's $1 is whether to include the personal columns, $2 the scope's kabupaten (its
	// office for the trainings), $3 its permit paths (the applications only); then the phone
	// bound (ExportScope.Phones): $4 and $5 its paths and kabupaten for the applications, $3 and
	// $4 for the owners, $3 its offices for the trainings (NULL: no bound).
	query string
}

// ExportScope narrows an export to an office's share: applications of these paths in these
// kabupaten, owners whose business is in them, trainings the office organises. Nil and "" are
// no bound (an admin, the command line). Phones, when set, bounds whose phone numbers a personal
// export holds; the phone cell of every other row is left empty.
type ExportScope struct {
	Paths, Kabupaten []string
	Office           string
	Phones           *PhoneBound
}

// PhoneBound is whose phones an export may hold, as staff cards show them: an application's
// when it is of one of Paths in one of Kabupaten, an owner's when they have a submitted
// application that is, a training participant's when the training is of one of Offices (""
// for the trainings an admin made). Empty lists allow none.
type PhoneBound struct {
	Paths, Kabupaten, Offices []string
}

var exports = map[string]export{
	"applications": {
		header: []string{"nomor_pengajuan", "jalur", "status", "produk", "kabupaten", "diajukan", "catatan",
			"batas_waktu", "nomor_izin", "berlaku_sampai"},
		personal: []string{"nama_pemilik", "telepon", "usaha"},
		query: `
			SELECT a.number, a.path, a.status, a.product_name, coalesce(a.kabupaten, ''),
				coalesce(to_char(a.submitted_at AT TIME ZONE 'Asia/Makassar', 'YYYY-MM-DD'), ''),
				coalesce(a.status_note, ''), coalesce(to_char(a.due_at AT TIME ZONE 'Asia/Makassar', 'YYYY-MM-DD'), ''),
				coalesce(a.permit_number, ''), coalesce(to_char(a.permit_valid_until, 'YYYY-MM-DD'), ''),
				CASE WHEN $1 THEN coalesce(o.name, '') END,
				CASE WHEN $1 AND ($4::text[] IS NULL OR a.path = ANY ($4) AND a.kabupaten = ANY ($5)) THEN coalesce(o.phone, '') END,
				CASE WHEN $1 THEN coalesce(b.name, '') END
			FROM applications a
			LEFT JOIN owners o ON o.id = a.owner_id
			LEFT JOIN businesses b ON b.id = a.business_id
			WHERE a.number IS NOT NULL AND ($2::text[] IS NULL OR a.kabupaten = ANY ($2))
				AND ($3::text[] IS NULL OR a.path = ANY ($3))
			ORDER BY a.submitted_at, a.id`,
	},
	// Staff are not owners: an active staff member is left out unless they keep a business of
	// their own (owner mode). Owners who deleted their data are left out.
	"owners": {
		header:   []string{"id", "bahasa", "kabupaten", "terdaftar", "jumlah_pengajuan"},
		personal: []string{"nama", "telepon", "usaha", "nib"},
		query: `
			SELECT o.id::text, o.lang, coalesce(b.kabupaten, ''), to_char(o.created_at AT TIME ZONE 'Asia/Makassar', 'YYYY-MM-DD'),
				(SELECT count(*) FROM applications a WHERE a.owner_id = o.id AND a.number IS NOT NULL)::text,
				CASE WHEN $1 THEN coalesce(o.name, '') END,
				CASE WHEN $1 AND ($3::text[] IS NULL OR EXISTS (SELECT 1 FROM applications a WHERE a.owner_id = o.id
					AND a.number IS NOT NULL AND a.path = ANY ($3) AND a.kabupaten = ANY ($4))) THEN coalesce(o.phone, '') END,
				CASE WHEN $1 THEN coalesce(b.name, '') END, CASE WHEN $1 THEN coalesce(b.nib, '') END
			FROM owners o
			LEFT JOIN LATERAL (SELECT * FROM businesses b WHERE b.owner_id = o.id ORDER BY b.id LIMIT 1) b ON true
			WHERE o.deleted_at IS NULL AND ($2::text[] IS NULL OR b.kabupaten = ANY ($2))
				AND (b.id IS NOT NULL OR NOT EXISTS (SELECT 1 FROM staff s WHERE s.telegram_user_id = o.telegram_user_id AND s.active))
			ORDER BY o.id`,
	},
	// One row per training; with personal data, one row per registration (a training nobody
	// registered for keeps one row with the participant columns empty).
	"trainings": {
		header: []string{"id", "judul", "jenis", "mulai", "durasi_menit", "tempat", "kabupaten", "kuota",
			"terdaftar", "penyelenggara", "dibatalkan"},
		personal: []string{"nama_peserta", "telepon_peserta"},
		query: `
			SELECT t.id::text, t.title, t.kind, to_char(t.starts_at AT TIME ZONE 'Asia/Makassar', 'YYYY-MM-DD HH24:MI'),
				t.duration_minutes::text, t.place, coalesce(t.kabupaten, ''), t.quota::text,
				(SELECT count(*) FROM training_registrations r WHERE r.training_id = t.id)::text, t.organiser,
				CASE WHEN t.cancelled_at IS NULL THEN '' ELSE 'ya' END,
				coalesce(p.name, ''), CASE WHEN $3::text[] IS NULL OR t.office = ANY ($3) THEN coalesce(p.phone, '') END
			FROM trainings t
			LEFT JOIN LATERAL (
				SELECT o.name, o.phone FROM training_registrations r JOIN owners o ON o.id = r.owner_id
				WHERE $1 AND r.training_id = t.id AND o.deleted_at IS NULL
			) p ON true
			WHERE $2::text IS NULL OR t.office = $2
			ORDER BY t.starts_at, t.id, p.name`,
	},
}

// ExportKinds are the names Export accepts.
func ExportKinds() []string { return []string{"applications", "owners", "trainings"} }

// Export calls row with the header and then each row of the named export (applications,
// owners, trainings) within scope; the personal columns only when personal.
func Export(ctx context.Context, db DB, kind string, personal bool, scope ExportScope, row func([]string) error) error {
	e, ok := exports[kind]
	if !ok {
		return fmt.Errorf("store: no export %q", kind)
	}
	header := e.header
	if personal {
		header = append(append([]string{}, e.header...), e.personal...)
	}
	if err := row(header); err != nil {
		return err
	}
	args := []any{personal, scope.Kabupaten}
	var phones PhoneBound // nil lists: NULL, no bound
	if p := scope.Phones; p != nil {
		phones = PhoneBound{Paths: nonNilList(p.Paths), Kabupaten: nonNilList(p.Kabupaten), Offices: nonNilList(p.Offices)}
	}
	switch kind {
	case "applications":
		args = append(args, scope.Paths, phones.Paths, phones.Kabupaten)
	case "owners":
		args = append(args, phones.Paths, phones.Kabupaten)
	case "trainings":
		var office *string // NULL: every office's
		if scope.Office != "" {
			office = &scope.Office
		}
		args[1] = office
		args = append(args, phones.Offices)
	}
	rows, err := db.Query(ctx, e.query, args...)
	if err != nil {
		return fmt.Errorf("store: export %s: %w", kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		vals := make([]*string, len(e.header)+len(e.personal))
		dst := make([]any, len(vals))
		for i := range vals {
			dst[i] = &vals[i]
		}
		if err := rows.Scan(dst...); err != nil {
			return fmt.Errorf("store: export %s: %w", kind, err)
		}
		out := make([]string, len(header))
		for i := range out {
			if vals[i] != nil {
				out[i] = *vals[i]
			}
		}
		if err := row(out); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: export %s: %w", kind, err)
	}
	return nil
}

// nonNilList keeps an empty list a bound: nil would be NULL, no bound.
func nonNilList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
