// Captcha of the password recovery form (/mot-de-passe-oublie): the ALTCHA
// widget, in its "external" build (styles in a CSS file, worker in its own
// file) so the site's strict Content-Security-Policy holds.
import "./worker-url.js";
import "altcha/external";
import "altcha/altcha.css";
import "./question.js";
