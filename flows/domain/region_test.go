package domain

import "testing"

func TestKabupatenList(t *testing.T) {
	r := mustRules(t)
	want := []string{"kota_kupang", "kupang", "timor_tengah_selatan", "timor_tengah_utara", "belu",
		"malaka", "alor", "lembata", "flores_timur", "sikka", "ende", "ngada", "nagekeo", "manggarai",
		"manggarai_timur", "manggarai_barat", "sumba_barat", "sumba_barat_daya", "sumba_tengah",
		"sumba_timur", "rote_ndao", "sabu_raijua"}
	got := r.Kabupatens()
	if len(got) != len(want) {
		t.Fatalf("%d kabupaten/kota, want %d", len(got), len(want))
	}
	for i, k := range got {
		if k.Code != want[i] || k.Name == "" {
			t.Errorf("kabupaten %d = %+v, want code %q", i, k, want[i])
		}
	}
	if got := len(r.Units()); got != 5 {
		t.Errorf("%d BPOM units, want 5", got)
	}
}

func TestUnitFor(t *testing.T) {
	r := mustRules(t)
	tests := []struct {
		kabupaten, unit string
		defaulted       bool
	}{
		{"manggarai_barat", "loka_manggarai_barat", false},
		{"manggarai", "loka_manggarai_barat", false},
		{"manggarai_timur", "loka_manggarai_barat", false},
		{"ende", "loka_ende", false},
		{"belu", "loka_belu", false},
		{"malaka", "loka_belu", false},
		{"sumba_timur", "loka_sumba_timur", false},
		{"kota_kupang", "bbpom_kupang", true},
		{"sumba_barat", "bbpom_kupang", true},
		{"sabu_raijua", "bbpom_kupang", true},
	}
	for _, tt := range tests {
		u, ok := r.UnitFor(tt.kabupaten)
		k, _ := r.Kabupaten(tt.kabupaten)
		if !ok || u.Code != tt.unit || k.UnitDefaulted != tt.defaulted {
			t.Errorf("UnitFor(%s) = %+v, %v (defaulted %v); want %s (defaulted %v)", tt.kabupaten, u, ok, k.UnitDefaulted, tt.unit, tt.defaulted)
		}
	}
	if _, ok := r.UnitFor("bali"); ok {
		t.Error("UnitFor of an unknown kabupaten reported ok")
	}
	if u, _ := r.Unit("bbpom_kupang"); u.Name != "Balai Besar POM di Kupang" {
		t.Errorf("bbpom_kupang = %+v", u)
	}
}

func TestFindKabupaten(t *testing.T) {
	r := mustRules(t)
	tests := []struct{ input, want string }{
		{"Kota Kupang", "kota_kupang"},
		{"kota kupang", "kota_kupang"},
		{"KOTA  KUPANG", "kota_kupang"},
		{"Kupang", "kupang"},
		{"Kab. Kupang", "kupang"},
		{"Kabupaten Kupang", "kupang"},
		{"Kab. Ende", "ende"},
		{"ende", "ende"},
		{"TTS", "timor_tengah_selatan"},
		{"tts", "timor_tengah_selatan"},
		{"TTU", "timor_tengah_utara"},
		{"Timor Tengah Selatan", "timor_tengah_selatan"},
		{"timor_tengah_selatan", "timor_tengah_selatan"},
		{"Mabar", "manggarai_barat"},
		{"Labuan Bajo", "manggarai_barat"},
		{"SBD", "sumba_barat_daya"},
		{"Kab. Sumba Barat Daya", "sumba_barat_daya"},
		{"Rote-Ndao", "rote_ndao"},
		{"Baa", "rote_ndao"},
		{"Ba’a", "rote_ndao"},
		{"Denpasar", ""},
		{"Kota", ""},
		{"", ""},
	}
	for _, tt := range tests {
		k, ok := r.FindKabupaten(tt.input)
		if ok != (tt.want != "") || k.Code != tt.want {
			t.Errorf("FindKabupaten(%q) = %q, %v; want %q", tt.input, k.Code, ok, tt.want)
		}
	}
}
