// The ALTCHA widget (proof-of-work captcha of the password recovery form):
// the <altcha-widget> custom element from the npm package "altcha", bundled
// so that no third-party file is copied into the tree.
import "altcha";
