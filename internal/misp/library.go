package misp

// LibraryResult reports what importing one knowledge library (MISP's
// taxonomies, galaxies, object templates or warninglists) changed. An
// import is versioned and idempotent: an item not stored yet is added,
// one with a newer version replaces the stored one (keeping what the
// administrators set locally, such as enabled), one with the same or an
// older version is left unchanged.
type LibraryResult struct {
	// Library names the library: "taxonomies", "galaxies",
	// "object templates" or "warninglists".
	Library string `json:"library"`
	// Added, Updated and Unchanged count items (taxonomies, galaxies with
	// their clusters, templates, lists).
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// Errors lists the files that could not be loaded, each with its
	// path and why; everything else was.
	Errors []string `json:"errors,omitempty"`
	// Missing lists the files the library says it has but that are
	// absent (a galaxy without its clusters file, a taxonomy of
	// MANIFEST.json without its machinetag.json), each as "path (item)".
	// They are not errors: everything present was loaded.
	Missing []string `json:"missing,omitempty"`
}
