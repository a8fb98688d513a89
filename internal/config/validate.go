package config

// ValidateObject checks one object on its own, as Istio's validation webhook
// does, and returns its problems; errors reject the object.
func ValidateObject(o *Object) []Problem {
	return nil
}
