// A throwaway OpenID provider for the sign-in test: the npm package `oidc-provider` (a
// certified implementation) with one confidential client, PKCE required and its
// development login and consent pages (any login is accepted; it becomes the subject).
// The `org` scope carries where the person works (organisation code, department name) and
// their groups (`rosa` is in `desk-agents`).
// Arguments: port issuer client_id client_secret redirect_uri.
import Provider from 'oidc-provider';

const [port, issuer, clientId, clientSecret, redirectUri] = process.argv.slice(2);

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    // Where sign-out at the provider returns (the desk's sign-in page).
    post_logout_redirect_uris: [redirectUri.replace('/auth/oidc/callback', '/login')],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'locale'],
    // Where the person works, as a directory-backed provider would say it.
    org: ['organization', 'department', 'groups'],
  },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: `${sub}@example.test`,
          email_verified: true,
          name: `Persona ${sub}`,
          locale: 'en',
          organization: 'AYTO-PRUEBA',
          department: `Servicio ${sub}`,
          groups: sub === 'rosa' ? ['desk-agents'] : ['staff'],
        };
      },
    };
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['test-only-cookie-key'] },
});

provider.listen(Number(port), '127.0.0.1', () => {
  console.log('ready');
});
