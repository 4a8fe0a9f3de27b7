import { describe, expect, test } from 'bun:test';
import { given } from '../../test/helpers/decider';
import { branchDecider, clinicDecider, userDecider } from './deciders';

const opened = {
  type: 'branch.opened' as const,
  data: { branch_id: 'b1', code: 'BLR1', name: 'Indiranagar', timezone: 'Asia/Kolkata', address: null, phone: null, gstin: null },
};
const created = {
  type: 'user.created' as const,
  data: { user_id: 'u1', username: 'asha', name: 'Asha', role: 'front_desk' as const, branch_ids: ['b1', 'b2'], password_hash: 'h' },
};

describe('clinic', () => {
  test('is created once', () => {
    given(clinicDecider, [])
      .when({ kind: 'create', clinicId: 'c1', name: 'Sunrise' })
      .then([{ type: 'clinic.created', data: { clinic_id: 'c1', name: 'Sunrise' } }]);
    given(clinicDecider, [{ type: 'clinic.created', data: { clinic_id: 'c1', name: 'Sunrise' } }])
      .when({ kind: 'create', clinicId: 'c2', name: 'Other' })
      .thenThrows('clinic_exists');
  });

  test('renaming records the new name; renaming to the same name records nothing', () => {
    const history = [{ type: 'clinic.created' as const, data: { clinic_id: 'c1', name: 'Sunrise' } }];
    given(clinicDecider, history).when({ kind: 'rename', name: 'Sunrise Care' }).then([{ type: 'clinic.renamed', data: { name: 'Sunrise Care' } }]);
    given(clinicDecider, history).when({ kind: 'rename', name: 'Sunrise' }).then([]);
    given(clinicDecider, [...history, { type: 'clinic.renamed', data: { name: 'Sunrise Care' } }])
      .when({ kind: 'rename', name: 'Sunrise Care' })
      .then([]);
  });

  test('a clinic that does not exist cannot be renamed', () => {
    given(clinicDecider, []).when({ kind: 'rename', name: 'X' }).thenThrows('no_clinic');
  });
});

describe('branch', () => {
  test('opens once', () => {
    given(branchDecider, []).when({ kind: 'open', data: opened.data }).then([opened]);
    given(branchDecider, [opened]).when({ kind: 'open', data: opened.data }).thenThrows('branch_exists');
  });

  test('a change records only the fields that differ', () => {
    given(branchDecider, [opened])
      .when({ kind: 'change', changes: { name: 'Indiranagar', timezone: 'Asia/Kolkata', phone: '080 1234 5678', address: undefined } })
      .then([{ type: 'branch.details_changed', data: { changes: { phone: '080 1234 5678' } } }]);
  });

  test('a change to the values it already has records nothing', () => {
    given(branchDecider, [opened, { type: 'branch.details_changed', data: { changes: { name: 'HAL Road' } } }])
      .when({ kind: 'change', changes: { name: 'HAL Road', address: null } })
      .then([]);
  });

  test('deactivate and reactivate only from the other state', () => {
    given(branchDecider, [opened]).when({ kind: 'deactivate' }).then([{ type: 'branch.deactivated', data: {} }]);
    given(branchDecider, [opened]).when({ kind: 'reactivate' }).thenThrows('already_active');
    const closed = [opened, { type: 'branch.deactivated' as const, data: {} }];
    given(branchDecider, closed).when({ kind: 'deactivate' }).thenThrows('already_inactive');
    given(branchDecider, closed).when({ kind: 'reactivate' }).then([{ type: 'branch.reactivated', data: {} }]);
  });

  test('nothing happens to a branch that was never opened', () => {
    for (const c of [{ kind: 'deactivate' as const }, { kind: 'reactivate' as const }, { kind: 'change' as const, changes: { name: 'X' } }]) {
      given(branchDecider, []).when(c).thenThrows('no_branch');
    }
  });
});

describe('user', () => {
  test('is created once', () => {
    given(userDecider, []).when({ kind: 'create', data: created.data }).then([created]);
    given(userDecider, [created]).when({ kind: 'create', data: created.data }).thenThrows('user_exists');
  });

  test('an update records only what changed; the same branches in another order are no change', () => {
    given(userDecider, [created])
      .when({ kind: 'update', name: 'Asha', role: 'doctor', branchIds: ['b2', 'b1'] })
      .then([{ type: 'user.updated', data: { role: 'doctor' } }]);
    given(userDecider, [created]).when({ kind: 'update', name: 'Asha K', branchIds: ['b1'] }).then([
      { type: 'user.updated', data: { name: 'Asha K', branch_ids: ['b1'] } },
    ]);
    given(userDecider, [created]).when({ kind: 'update', name: 'Asha', branchIds: ['b2', 'b1'] }).then([]);
  });

  test('earlier updates count when deciding the next one', () => {
    given(userDecider, [created, { type: 'user.updated', data: { role: 'doctor' } }]).when({ kind: 'update', role: 'doctor' }).then([]);
    given(userDecider, [created, { type: 'user.updated', data: { role: 'doctor' } }]).when({ kind: 'update', role: 'front_desk' }).then([
      { type: 'user.updated', data: { role: 'front_desk' } },
    ]);
  });

  test('a password change is always recorded', () => {
    given(userDecider, [created]).when({ kind: 'set_password', passwordHash: 'h2' }).then([
      { type: 'user.password_changed', data: { password_hash: 'h2' } },
    ]);
  });

  test('disable and enable only from the other state', () => {
    given(userDecider, [created]).when({ kind: 'disable', reason: 'left' }).then([{ type: 'user.disabled', data: { reason: 'left' } }]);
    given(userDecider, [created]).when({ kind: 'enable' }).thenThrows('already_enabled');
    const disabled = [created, { type: 'user.disabled' as const, data: { reason: null } }];
    given(userDecider, disabled).when({ kind: 'disable', reason: null }).thenThrows('already_disabled');
    given(userDecider, disabled).when({ kind: 'enable' }).then([{ type: 'user.enabled', data: {} }]);
  });

  test('nothing happens to a user who does not exist', () => {
    given(userDecider, []).when({ kind: 'disable', reason: null }).thenThrows('no_user');
    given(userDecider, []).when({ kind: 'set_password', passwordHash: 'h' }).thenThrows('no_user');
  });

  test('refusals are conflicts (409)', () => {
    expect(given(userDecider, [created]).when({ kind: 'create', data: created.data }).thenThrows('user_exists').status).toBe(409);
  });
});
