// The chain's doctor directory at a branch: every doctor HQ lists, as last pulled from the
// hub, searchable by name or specialty and by branch. For referring a patient to a colleague
// at another branch; bookings stay with the branch's own doctors.
import type { DirectoryRow } from '../../src/chain/directory';
import { DirectoryCells } from '../hq/doctors';
import { type Flash, Layout, type PageUser } from '../layout';

export interface DirectoryPageProps {
  user: PageUser;
  clinicName: string | null;
  flash?: Flash | null;
  items: DirectoryRow[];
  q: string;
  branch: string;
  branchCodes: string[];
}

export function DirectoryPage(p: DirectoryPageProps) {
  return (
    <Layout title="Doctor directory" user={p.user} clinicName={p.clinicName} flash={p.flash ?? null} active="directory">
      <h1>Doctor directory</h1>
      <p class="muted">The chain’s doctors as HQ lists them, for referrals to other branches. To book, use this branch’s own doctors.</p>
      <form method="get" action="/directory" class="card" role="search" aria-label="Search the directory">
        <div class="field">
          <label for="f-q">Name or specialty</label>
          <input id="f-q" name="q" type="search" value={p.q || undefined} maxlength="100" />
        </div>
        <div class="field">
          <label for="f-branch">Branch</label>
          <select id="f-branch" name="branch">
            <option value="">Any branch</option>
            {p.branchCodes.map((c) => (
              <option value={c} selected={c === p.branch} safe>
                {c}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Search</button>
      </form>
      {p.items.length ? (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Doctors of the chain</caption>
            <thead>
              <tr>
                <th scope="col">Doctor</th>
                <th scope="col">Specialty</th>
                <th scope="col">Branches</th>
                <th scope="col">Visiting</th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((d) => (
                <tr data-directory-doctor={d.id}>
                  <DirectoryCells d={d} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="empty">{p.q || p.branch ? 'No doctor in the directory matches.' : 'The chain’s HQ has not listed any doctors yet (or this branch has not synced with the hub).'}</p>
      )}
    </Layout>
  );
}
