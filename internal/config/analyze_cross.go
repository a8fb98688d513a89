package config

func analyzeSubsets(s *Snapshot) []Problem  { return nil }
func analyzeSidecars(s *Snapshot) []Problem { return nil }
