package domain

import "testing"

// SPP-IRT goes to the kabupaten's health office, every other path to the BPOM unit covering it;
// every kabupaten has both, and no phone number is made up.
func TestOfficeFor(t *testing.T) {
	r, err := LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path PathCode
		kab  string
		want string
	}{
		{PathSPPIRT, "ngada", "dinkes_ngada"},
		{PathMD, "ngada", "bbpom_kupang"},
		{PathKosmetik, "manggarai", "loka_manggarai_barat"},
		{PathObatTradisional, "malaka", "loka_belu"},
		{PathSPPIRT, "kota_kupang", "dinkes_kota_kupang"},
	}
	for _, c := range cases {
		o, ok := r.OfficeFor(c.path, c.kab)
		if !ok || o.Code != c.want {
			t.Errorf("OfficeFor(%s, %s) = %q, %v; want %q", c.path, c.kab, o.Code, ok, c.want)
		}
	}
	if _, ok := r.OfficeFor(PathMD, "atlantis"); ok {
		t.Error("an unknown kabupaten has an office")
	}
	for _, k := range r.Kabupatens() {
		for _, p := range []PathCode{PathSPPIRT, PathMD} {
			if _, ok := r.OfficeFor(p, k.Code); !ok {
				t.Errorf("%s has no office for %s", k.Code, p)
			}
		}
	}
	if n := len(r.Offices()); n != 5+22 {
		t.Errorf("%d offices, want 27", n)
	}
	if o, _ := r.Office("loka_belu"); len(o.Kabupaten) != 2 {
		t.Errorf("Loka POM Belu covers %v, want Belu and Malaka", o.Kabupaten)
	}
}
