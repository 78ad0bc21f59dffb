// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {CardRegistry} from "./CardRegistry.sol";

/// @title Chequebook — off-chain per-slice payments settled on-chain (DESIGN §2 "Cheque", §4.6).
/// @notice A payer deposits ether and signs EIP-712 cheques
/// `Cheque(address payer,address payee,bytes32 cardId,uint256 cumulative)`; the amount is
/// cumulative per (payer, payee, cardId), so only the newest cheque matters and replay gains
/// nothing. `cash` pays `cumulative − alreadyPaid`, capped by the payer's balance (what could
/// not be paid stays cashable after a later deposit), split between the payee and the card's
/// creator: the creator gets {ROYALTY_BPS} (a protocol constant, 10 %) rounded down, the payee
/// the exact rest, so the two parts always sum to the amount paid.
/// The payee's share is sent at once (if the payee cannot receive ether it is credited to
/// `owed` instead); the creator's royalty accrues in `owed` and is taken with `claim()`.
/// Withdrawals are announced and wait {WITHDRAW_DELAY}, so payees see them coming and can cash
/// first: a payer cannot empty the book under its payees.
/// `cashBatch` settles many cheques in one transaction with the same split; an entry that pays
/// nothing or is invalid is skipped with a {ChequeSkipped} event instead of reverting, so one
/// bad or stale cheque (which a seeder may hold without knowing) cannot block the others.
contract Chequebook is EIP712, ReentrancyGuardTransient {
    /// @notice Share of every cashed amount that goes to the card's creator, in basis points.
    uint256 public constant ROYALTY_BPS = 1_000;
    /// @notice Time between `announceWithdraw` and the earliest `withdraw`.
    uint256 public constant WITHDRAW_DELAY = 1 days;
    bytes32 public constant CHEQUE_TYPEHASH =
        keccak256("Cheque(address payer,address payee,bytes32 cardId,uint256 cumulative)");
    uint256 private constant BPS = 10_000;

    struct Cheque {
        address payer;
        address payee;
        bytes32 cardId;
        uint256 cumulative;
    }

    /// @notice Why `cashBatch` skipped an entry (the value in {ChequeSkipped}).
    enum Skip {
        None,
        UnknownCard,
        InvalidSignature,
        NothingToCash,
        EmptyChequebook,
        AmountTooLarge
    }

    /// @notice One (payer, payee, cardId) line, one slot: what was paid, and the card's creator
    /// cached at the first cash. A creator never changes (`CardRegistry` posts a card once), so
    /// later cashes skip the call to the registry: ≈ 5,000 gas less per cheque. 96 bits hold
    /// 7.9 × 10^28 wei, far above any native token's supply; reaching it is `AmountTooLarge`.
    struct Line {
        uint96 paid;
        address creator;
    }

    /// @notice A payer's book, one slot.
    struct Account {
        uint128 balance;
        uint40 unlockAt; // 0 = no withdrawal announced
        uint88 announced;
    }

    CardRegistry public immutable registry;
    mapping(address payer => Account) public accounts;
    mapping(bytes32 key => Line line) private _lines;
    /// @notice Ether waiting to be claimed (creators' royalties, shares of payees that refused ether).
    mapping(address account => uint256 amount) public owed;

    event Deposited(address indexed payer, uint256 amount, uint256 balance);
    event ChequeCashed(
        address indexed payer,
        address indexed payee,
        bytes32 indexed cardId,
        uint256 cumulative,
        uint256 amount,
        uint256 royalty
    );
    /// @notice `cashBatch` paid nothing for entry `index`, for `reason` (a {Skip}).
    event ChequeSkipped(
        address indexed payer, address indexed payee, bytes32 indexed cardId, uint256 index, Skip reason
    );
    event WithdrawAnnounced(address indexed payer, uint256 amount, uint256 unlockAt);
    event Withdrawn(address indexed payer, uint256 amount);
    event Claimed(address indexed account, uint256 amount);

    error UnknownCard(bytes32 cardId);
    error InvalidSignature();
    error NothingToCash(uint256 cumulative, uint256 alreadyPaid);
    error EmptyChequebook(address payer);
    error NoWithdrawAnnounced();
    error WithdrawLocked(uint256 unlockAt);
    error NothingToClaim();
    error AmountTooLarge();
    error PaymentFailed(address to, uint256 amount);
    error LengthMismatch(uint256 cheques, uint256 signatures);

    constructor(CardRegistry registry_) EIP712("Hashcard Chequebook", "1") {
        registry = registry_;
    }

    /// @notice Adds `msg.value` to the caller's book.
    function deposit() external payable {
        _deposit(msg.sender);
    }

    /// @notice Adds `msg.value` to `payer`'s book: any wallet can fund a node's hot key.
    /// Only the payer can ever withdraw it (after the announced delay).
    function depositFor(address payer) external payable {
        _deposit(payer);
    }

    function _deposit(address payer) private {
        Account storage a = accounts[payer];
        uint256 balance = a.balance + msg.value;
        if (balance > type(uint128).max) revert AmountTooLarge();
        a.balance = uint128(balance);
        emit Deposited(payer, msg.value, balance);
    }

    /// @notice Cashes a cheque (anyone may submit it; the money goes to the payee and creator).
    /// @return amount Wei taken from the payer's book (payee share + royalty).
    function cash(Cheque calldata cheque, bytes calldata signature) external nonReentrant returns (uint256 amount) {
        (uint256 taken, uint256 royalty, address creator, Skip skip) = _take(cheque, signature);
        if (skip != Skip.None) _revertFor(skip, cheque);
        if (royalty != 0) owed[creator] += royalty;
        _pay(cheque.payee, taken - royalty);
        return taken;
    }

    /// @notice Cashes many cheques in one transaction, each paid and split exactly as {cash}
    /// does. Entries that would revert in {cash} (nothing to cash, empty book, bad signature,
    /// unknown card) are skipped with a {ChequeSkipped} event and do not stop the rest.
    /// Payouts are summed over runs of equal payees and creators, so a seeder cashing its own
    /// cheques makes one transfer and one `owed` write per card's creator run.
    /// @return total Wei taken from the payers' books over all entries.
    function cashBatch(Cheque[] calldata cheques, bytes[] calldata signatures)
        external
        nonReentrant
        returns (uint256 total)
    {
        uint256 n = cheques.length;
        if (n != signatures.length) revert LengthMismatch(n, signatures.length);
        address payee;
        uint256 payeeDue;
        address creator;
        uint256 creatorDue;
        for (uint256 i; i < n; ++i) {
            Cheque calldata c = cheques[i];
            (uint256 taken, uint256 royalty, address cardCreator, Skip skip) = _take(c, signatures[i]);
            if (skip != Skip.None) {
                emit ChequeSkipped(c.payer, c.payee, c.cardId, i, skip);
                continue;
            }
            if (cardCreator != creator) {
                if (creatorDue != 0) owed[creator] += creatorDue;
                (creator, creatorDue) = (cardCreator, 0);
            }
            if (c.payee != payee) {
                _pay(payee, payeeDue);
                (payee, payeeDue) = (c.payee, 0);
            }
            unchecked {
                // Each sum is bounded by ether taken from balances, so it cannot overflow.
                creatorDue += royalty;
                payeeDue += taken - royalty;
                total += taken;
            }
        }
        if (creatorDue != 0) owed[creator] += creatorDue;
        _pay(payee, payeeDue);
    }

    /// @dev Takes what a cheque pays from the payer's book and records it, or reports why it
    /// pays nothing (never reverts, so {cashBatch} can skip). Emits {ChequeCashed}; paying the
    /// payee and crediting the creator is the caller's job.
    function _take(Cheque calldata cheque, bytes calldata signature)
        private
        returns (uint256 amount, uint256 royalty, address creator, Skip skip)
    {
        bytes32 key = _lineKey(cheque);
        Line memory line = _lines[key];
        creator = line.creator;
        if (creator == address(0)) {
            creator = registry.creatorOf(cheque.cardId);
            if (creator == address(0)) return (0, 0, creator, Skip.UnknownCard);
        }
        if (!_signedByPayer(cheque, signature)) return (0, 0, creator, Skip.InvalidSignature);
        uint256 already = line.paid;
        if (cheque.cumulative <= already) return (0, 0, creator, Skip.NothingToCash);
        Account storage a = accounts[cheque.payer];
        uint256 balance = a.balance;
        if (balance == 0) return (0, 0, creator, Skip.EmptyChequebook);
        amount = cheque.cumulative - already;
        if (amount > balance) amount = balance;
        if (already + amount > type(uint96).max) return (0, 0, creator, Skip.AmountTooLarge);
        unchecked {
            a.balance = uint128(balance - amount);
        }
        _lines[key] = Line(uint96(already + amount), creator);
        royalty = (amount * ROYALTY_BPS) / BPS;
        emit ChequeCashed(cheque.payer, cheque.payee, cheque.cardId, cheque.cumulative, amount, royalty);
    }

    /// @dev The custom error {cash} reverts with for a skip reason (the error path, so the
    /// extra read of what was paid costs nothing on success).
    function _revertFor(Skip skip, Cheque calldata cheque) private view {
        if (skip == Skip.UnknownCard) revert UnknownCard(cheque.cardId);
        if (skip == Skip.InvalidSignature) revert InvalidSignature();
        if (skip == Skip.NothingToCash) {
            revert NothingToCash(cheque.cumulative, _lines[_lineKey(cheque)].paid);
        }
        if (skip == Skip.EmptyChequebook) revert EmptyChequebook(cheque.payer);
        revert AmountTooLarge();
    }

    /// @dev Sends a payee its share; one that refuses ether is credited to `owed` instead, so
    /// it cannot block a cheque (or a batch).
    function _pay(address to, uint256 amount) private {
        if (amount == 0) return;
        (bool ok,) = to.call{value: amount}("");
        if (!ok) owed[to] += amount;
    }

    /// @dev `keccak256(abi.encode(payer, payee, cardId))`, hashed straight from calldata (in a
    /// batch, `abi.encode` would allocate fresh memory for every entry). Address words with
    /// dirty upper bits revert, as Solidity's decoder would: the raw words are what is hashed
    /// here and in the signature, so they must be the one canonical encoding.
    function _lineKey(Cheque calldata cheque) private pure returns (bytes32 key) {
        assembly ("memory-safe") {
            if or(shr(160, calldataload(cheque)), shr(160, calldataload(add(cheque, 0x20)))) { revert(0, 0) }
            let m := mload(0x40)
            calldatacopy(m, cheque, 0x60)
            key := keccak256(m, 0x60)
        }
    }

    /// @dev Whether `signature` is the payer's EIP-712 signature of the cheque. The struct hash
    /// is `keccak256(CHEQUE_TYPEHASH ‖ payer ‖ payee ‖ cardId ‖ cumulative)`, built in scratch
    /// memory from calldata (four static words, checked clean by {_lineKey}, which runs first).
    function _signedByPayer(Cheque calldata cheque, bytes calldata signature) private view returns (bool) {
        bytes32 typeHash = CHEQUE_TYPEHASH;
        bytes32 structHash;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            calldatacopy(add(m, 0x20), cheque, 0x80)
            structHash := keccak256(m, 0xa0)
        }
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(_hashTypedDataV4(structHash), signature);
        return err == ECDSA.RecoverError.NoError && signer == cheque.payer;
    }

    /// @notice Announces a withdrawal of up to `amount`; `withdraw` works after {WITHDRAW_DELAY}.
    /// A new announcement replaces the previous one and restarts the delay.
    function announceWithdraw(uint256 amount) external {
        if (amount > type(uint88).max) revert AmountTooLarge();
        Account storage a = accounts[msg.sender];
        uint256 unlockAt = block.timestamp + WITHDRAW_DELAY;
        a.unlockAt = uint40(unlockAt);
        a.announced = uint88(amount);
        emit WithdrawAnnounced(msg.sender, amount, unlockAt);
    }

    /// @notice Withdraws the announced amount (or the whole balance if less is left).
    function withdraw() external nonReentrant returns (uint256 amount) {
        Account storage a = accounts[msg.sender];
        uint256 unlockAt = a.unlockAt;
        if (unlockAt == 0) revert NoWithdrawAnnounced();
        if (block.timestamp < unlockAt) revert WithdrawLocked(unlockAt);
        uint256 balance = a.balance;
        amount = a.announced;
        if (amount > balance) amount = balance;
        a.balance = uint128(balance - amount);
        a.unlockAt = 0;
        a.announced = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert PaymentFailed(msg.sender, amount);
    }

    /// @notice Sends the caller everything `owed` to it.
    function claim() external nonReentrant {
        uint256 amount = owed[msg.sender];
        if (amount == 0) revert NothingToClaim();
        owed[msg.sender] = 0;
        emit Claimed(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert PaymentFailed(msg.sender, amount);
    }

    /// @notice What has been paid so far on (payer, payee, cardId).
    function paidOf(address payer, address payee, bytes32 cardId) external view returns (uint256) {
        return _lines[keccak256(abi.encode(payer, payee, cardId))].paid;
    }

    /// @notice The EIP-712 domain separator cheques are signed under.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }
}
