package domain

// PathCode names a permit path (jalur izin edar). The four paths are fixed in code because the
// number formats and the "help me choose" tree refer to them; what each path requires is data in
// requirements.toml.
type PathCode string

// The permit paths.
const (
	PathSPPIRT          PathCode = "spp_irt"          // SPP-IRT, home-industry food (local government)
	PathMD              PathCode = "md"               // BPOM MD, processed food made in Indonesia
	PathKosmetik        PathCode = "kosmetik"         // notifikasi kosmetik
	PathObatTradisional PathCode = "obat_tradisional" // jamu and herbal remedies
)
